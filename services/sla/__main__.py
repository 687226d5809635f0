from plumbing.runtime import run_service
from services.sla.app import SERVICE, build
from services.sla.settings import SlaSettings

run_service(SERVICE, SlaSettings, build)
