from plumbing.runtime import run_service
from services.router.partner_api.app import SERVICE, build
from services.router.partner_api.settings import PartnerApiSettings

run_service(SERVICE, PartnerApiSettings, build)
