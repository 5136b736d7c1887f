"""Privacy: PII redaction before storage, retention, deletion of conversations."""
