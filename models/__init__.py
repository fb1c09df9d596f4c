"""The data model: participants, consultations, conversations, answers and messages."""

from models.base import Base, utcnow
from models.consultation import CLOSED, DRAFT, OPEN, Consultation
from models.conversation import Answer, Conversation
from models.message import InboundMessage, OutboundMessage
from models.participant import ChannelAddress, Participant

__all__ = [
    "Answer", "Base", "ChannelAddress", "CLOSED", "Consultation", "Conversation", "DRAFT",
    "InboundMessage", "OPEN", "OutboundMessage", "Participant", "utcnow",
]
