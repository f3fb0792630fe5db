"""The alerting engine: configurable rules evaluated periodically and on change, alerts stored once
per condition in ``support_alerts`` and pushed to subscribers through the change log."""
