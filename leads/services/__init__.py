from leads.services.lead import (
    contact_point_opt_out,
    lead_add_note,
    lead_change_owner,
    lead_change_stage,
    lead_change_stage_by_hand,
    lead_contacts_add,
    lead_create,
    lead_create_by_hand,
    lead_edit_by_hand,
    lead_lock,
    lead_referral_register,
    lead_tags_set,
    lead_update,
    leads_rule_tags_sync,
    leads_team_move,
)
from leads.services.tags import tag_get_or_create_path
from leads.services.timeline import timeline_event_record

__all__ = [
    "contact_point_opt_out",
    "lead_add_note",
    "lead_change_owner",
    "lead_change_stage",
    "lead_change_stage_by_hand",
    "lead_contacts_add",
    "lead_create",
    "lead_create_by_hand",
    "lead_edit_by_hand",
    "lead_lock",
    "lead_referral_register",
    "lead_tags_set",
    "lead_update",
    "leads_rule_tags_sync",
    "leads_team_move",
    "tag_get_or_create_path",
    "timeline_event_record",
]
