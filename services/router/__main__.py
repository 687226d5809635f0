from plumbing.runtime import run_service
from services.router.app import SERVICE, build
from services.router.settings import RouterSettings

run_service(SERVICE, RouterSettings, build)
