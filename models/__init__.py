"""The data model: participants, consultations, conversations, answers and messages."""

from models.action import ACTION_STATUSES, Action, Broadcast
from models.base import Base, utcnow
from models.call_recording import CallRecording
from models.consultation import CLOSED, DRAFT, OPEN, Consultation
from models.conversation import Answer, Conversation
from models.invitation import Invitation
from models.login_failure import LoginFailure
from models.message import InboundMessage, OutboundMessage
from models.offline_collection import OfflineCollection
from models.participant import ChannelAddress, Participant
from models.profile import CensusTargets, ProfileSnapshot
from models.response_fact import ResponseFact
from models.user import ADMIN, ANALYST, ROLES, ApiToken, User

__all__ = [
    "ACTION_STATUSES", "ADMIN", "ANALYST", "Action", "ApiToken", "Broadcast", "CallRecording", "ROLES", "User",
    "Answer", "Base", "CensusTargets", "ChannelAddress", "CLOSED", "Consultation", "Conversation", "DRAFT",
    "InboundMessage", "Invitation", "LoginFailure", "OfflineCollection", "OPEN", "OutboundMessage", "Participant", "ProfileSnapshot", "ResponseFact", "utcnow",
]
