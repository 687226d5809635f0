"""The partner assignment API: outsourced teams work their tickets over HTTP."""
