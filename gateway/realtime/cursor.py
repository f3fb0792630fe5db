"""Where the hub is in the change log: exactly-once reading of rows numbered out of commit order.

Change rows get their ``seq`` when they are written, but become visible when their transaction
commits, so a lower seq can appear after a higher one (transaction A takes seq 10, B takes 11
and commits first). Reading "seq > highest seen" would skip 10 for ever; reading "seq > lowest
unseen" would repeat 11. The cursor keeps both facts:

* ``watermark`` W: every seq <= W is *settled* (delivered, or known never to commit);
* ``seen``: seqs above W that were already delivered;
* ``gaps``: seqs above W, below the highest seq read, not seen yet. Each gap remembers the
  transactions that were running when it was first noticed (the snapshot's ``xip``): when seq h
  was visible, every lower seq had already been allocated by a transaction that had then either
  committed (so its row was visible in the same read), aborted (never visible), or was still
  running, i.e. in that ``xip``. Once none of those transactions runs any more, in a read whose
  rows come from the same snapshot, a gap that still did not show up never will: it is dropped.
* ``startup``: transactions running when the cursor was created. Their rows may carry seqs up to
  the starting watermark (``startup_ceiling``); the read includes those rows by ``xact_id`` until
  the transactions end (rows above the ceiling come through the normal ``seq > W`` read).

Every read is ``seq > W`` (plus the startup transactions' rows) in seq order, and each row is
delivered once: rows already in ``seen`` are skipped. The cursor is immutable; :meth:`advance`
returns the rows to deliver and the next cursor, which the caller adopts only once the rows were
handed on, so a failure in between re-reads them rather than losing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A ``pg_snapshot``: transactions < xmin are finished; >= xmax had not started; xip ran."""

    xmin: int
    xmax: int
    xip: frozenset[int]

    @classmethod
    def parse(cls, text: str) -> Snapshot:
        """Parse ``pg_current_snapshot()::text`` (``xmin:xmax:xip1,xip2,...``)."""
        parts = text.split(":")
        if len(parts) != 3:
            raise ValueError(f"not a pg_snapshot: {text!r}")
        xip = frozenset(int(x) for x in parts[2].split(",") if x)
        return cls(int(parts[0]), int(parts[1]), xip)

    def running(self, xid: int) -> bool:
        """True when ``xid`` was in progress (or not yet started) in this snapshot."""
        return xid >= self.xmax or xid in self.xip


@dataclass(frozen=True, slots=True)
class Advance:
    """The outcome of one read: seqs to deliver now (ascending) and the cursor after them."""

    deliver: tuple[int, ...]
    cursor: ChangeCursor


@dataclass(frozen=True, slots=True)
class ChangeCursor:
    """Exactly-once position in the change log (see the module docstring)."""

    watermark: int
    seen: frozenset[int] = frozenset()
    gaps: tuple[tuple[int, frozenset[int]], ...] = ()
    startup: frozenset[int] = frozenset()
    startup_ceiling: int = 0
    startup_seen: frozenset[int] = field(default=frozenset())

    @classmethod
    def start(cls, newest_seq: int, snapshot: Snapshot) -> ChangeCursor:
        """A cursor that delivers what commits after ``snapshot`` (newest visible seq given)."""
        return cls(watermark=newest_seq, startup=snapshot.xip, startup_ceiling=newest_seq)

    @property
    def startup_xids(self) -> list[int]:
        """Transactions whose rows are read even below the watermark."""
        return sorted(self.startup)

    def advance(self, snapshot: Snapshot, seqs: Sequence[int], truncated: bool) -> Advance:
        """Account for one read of ``seqs`` (ascending) made under ``snapshot``.

        ``truncated``: the read hit its row limit, so rows above ``max(seqs)`` were not read.
        """
        w = self.watermark
        gaps = dict(self.gaps)
        seen = set(self.seen)
        startup_seen = set(self.startup_seen)
        deliver: list[int] = []
        for s in seqs:
            if s <= w:
                # a late row of a transaction that was running at startup
                if s <= self.startup_ceiling and s not in startup_seen:
                    startup_seen.add(s)
                    deliver.append(s)
            elif s not in seen:
                seen.add(s)
                gaps.pop(s, None)
                deliver.append(s)
        top = max((s for s in seqs if s > w), default=w)
        # New gaps below the highest row read; each waits for the transactions running now.
        if snapshot.xip:
            for s in range(w + 1, top):
                if s not in seen and s not in gaps:
                    gaps[s] = snapshot.xip
        # A gap whose possible writers have all finished will never be filled.
        gaps = {s: xids for s, xids in gaps.items() if any(snapshot.running(x) for x in xids)}
        new_w = min(gaps) - 1 if gaps else max(w, top)
        startup = self.startup
        if not truncated:
            startup = frozenset(x for x in startup if snapshot.running(x))
        if not startup:
            startup_seen = set()
        return Advance(
            deliver=tuple(sorted(deliver)),
            cursor=ChangeCursor(
                watermark=new_w,
                seen=frozenset(s for s in seen if s > new_w),
                gaps=tuple(sorted(gaps.items())),
                startup=startup,
                startup_ceiling=self.startup_ceiling if startup else 0,
                startup_seen=frozenset(startup_seen),
            ),
        )
