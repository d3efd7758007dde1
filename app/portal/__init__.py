"""The citizen's side: the published catalogue, applying online, tracking and answering a send-back."""
