from plumbing.runtime import run_service
from services.ingest.app import SERVICE, build
from services.ingest.settings import IngestSettings

run_service(SERVICE, IngestSettings, build)
