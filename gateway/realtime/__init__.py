"""Realtime: change capture → one hub per process → subscribers, each seeing only what RLS allows.

* :mod:`gateway.realtime.changes` — change sources behind one interface (Postgres triggers +
  LISTEN/NOTIFY by default; Supabase Realtime to come), exactly-once via
  :mod:`gateway.realtime.cursor`;
* :mod:`gateway.realtime.visibility` — who may see each change, decided in one statement for all
  subscribers by the row level security policies' own functions;
* :mod:`gateway.realtime.hub` — fan-out to bounded per-subscription queues (overflow drops the
  subscription with an error);
* :mod:`gateway.realtime.multiplex` — dashboards recomputed once per scope, at most once a second;
* :mod:`gateway.realtime.feeds` / :mod:`gateway.realtime.ws` — a websocket connection's streams and
  its authentication.
"""
