"""The kiosk's screens, one .py + .kv each, by screen name."""

from kiosk_app.screens.citizen import CitizenScreen
from kiosk_app.screens.dossier import DossierScreen
from kiosk_app.screens.home import HomeScreen
from kiosk_app.screens.lookup import LookupScreen
from kiosk_app.screens.priority import PriorityScreen
from kiosk_app.screens.procedure import ProcedureScreen
from kiosk_app.screens.procedures import ProceduresScreen
from kiosk_app.screens.rating import RatingScreen
from kiosk_app.screens.services import ServicesScreen
from kiosk_app.screens.technician import TechnicianScreen
from kiosk_app.screens.thanks import ThanksScreen
from kiosk_app.screens.ticket import TicketScreen

SCREENS = {
    "home": HomeScreen,
    "services": ServicesScreen,
    "priority": PriorityScreen,
    "ticket": TicketScreen,
    "lookup": LookupScreen,
    "dossier": DossierScreen,
    "citizen": CitizenScreen,
    "procedures": ProceduresScreen,
    "procedure": ProcedureScreen,
    "rating": RatingScreen,
    "thanks": ThanksScreen,
    "technician": TechnicianScreen,
}
