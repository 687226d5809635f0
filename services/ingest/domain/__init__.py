"""Pure ingest logic: normalisation, de-duplication and threading. No I/O, no clock."""
