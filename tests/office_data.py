"""Sample data an OWSO counter would really enter, shared by the stories."""
APPLICATION = {
    "applicant_name": "Sok Chanthy",
    "applicant_id_card_number": "010203040",
    "applicant_phone": "012 345 678",
    "business_name": "Chanthy Mini Mart",
    "business_activity": "grocery_or_mini_mart",
    "business_address": "House 12, Street 3, Phum Thmey",
    "business_commune": "Kampong Siem",
    "premises": "rented",
}
INTAKE = {"intake_decision": "accept", "documents_received": ["application_form", "id_card_copy"],
          "fee_paid_riel": 100000}
REVIEW_APPROVE = {"review_decision": "approve", "review_notes": "Premises and activity in order.",
                  "premises_checked": True, "activity_permitted": True}
REVIEW_SEND_BACK = {"review_decision": "send_back", "review_notes": "Lease missing.",
                    "corrections_requested": "Bring the signed lease of the shop."}
SIGN = {"signature_decision": "sign", "licence_number": "KPS-CL-2026-001", "licence_valid_until": "2027-11-30"}
HAND_OVER = {"handed_over_on": "2026-11-27", "received_by": "Sok Chanthy", "receiver_id_checked": True}
CORRECTIONS_RECEIVED = {"corrections_outcome": "corrections_received", "corrections_date": "2026-11-25"}
FOLLOW_UP = {"followup_action": "reminded_the_officer", "followup_notes": "Called the reviewer."}
COMPLAINT = {"complaint_text": "The clerk asked me for 50,000 riel more than the posted fee.",
             "complainant_name": "Chea Sophal", "complainant_contact": "017 222 333",
             "complaint_subject": "money_asked_beyond_the_official_fee", "related_case_number": "KPS-2026-00007"}
REGISTER_ADMISSIBLE = {"admissibility": "admissible", "complaint_category": "informal_payment",
                       "acknowledged_on": "2026-12-07"}
OWSO_RESPONSE = {"owso_position": "partly_accepts_the_facts",
                 "owso_response": "The clerk was reminded of the posted fee; the money was returned."}
