"""What operators see of a running Wegweiser: Prometheus metrics and structured logs.

Neither carries message text or conversation ids in clear (see each module).
"""
