"""Error alerts: every Lambda failure in the logs reaches Slack or AWS Chatbot, once.

Pure core: :mod:`~quirks.alerts.decode`, :mod:`~quirks.alerts.classify`,
:mod:`~quirks.alerts.fingerprint`, :mod:`~quirks.alerts.redact`, :mod:`~quirks.alerts.render`,
:mod:`~quirks.alerts.patterns`, :mod:`~quirks.alerts.attach` (planning). Adapters: the sinks, the
suppression stores, :mod:`~quirks.alerts.handler` and ``quirks alerts``.
"""
