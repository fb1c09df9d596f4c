"""The data model: participants, consultations, conversations, answers and messages."""

from models.base import Base, utcnow
from models.consultation import CLOSED, DRAFT, OPEN, Consultation
from models.conversation import Answer, Conversation
from models.invitation import Invitation
from models.message import InboundMessage, OutboundMessage
from models.participant import ChannelAddress, Participant
from models.profile import CensusTargets, ProfileSnapshot

__all__ = [
    "Answer", "Base", "CensusTargets", "ChannelAddress", "CLOSED", "Consultation", "Conversation", "DRAFT",
    "InboundMessage", "Invitation", "OPEN", "OutboundMessage", "Participant", "ProfileSnapshot", "utcnow",
]
