"""The published service catalogue: what each service costs, needs and promises, versioned."""
