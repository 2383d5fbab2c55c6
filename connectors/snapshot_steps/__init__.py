"""The snapshot's steps: one module per kind of input, each with its ``run()`` and what it needs beside it.

After Our World in Data's ETL steps. A step module declares

* ``READER`` — the ``reader:`` value a ``connectors/snapshot.yaml`` entry uses to pick it;
* ``NEEDS`` — the entry fields its ``run()`` reads, beyond those every entry has
  (:data:`connectors.snapshot.COMMON_FIELDS`: source, dataset, path, publisher, licence, ...);
* ``SHARED`` — the entry fields that name files or folders under ``../shared/data``;
* ``run(entry, shared, registry, observed_until) -> (table, inputs, extra)`` — the tidy table, the
  sha256 of every shared file read, and what goes into the sidecar's ``extra``.

Publisher, licence and citation stay in ``snapshot.yaml``, one place for every dataset's attribution;
:func:`connectors.snapshot.build_snapshot` checks each entry against its step's declarations before
building anything. A new kind of input is one module here and one name in :data:`STEPS`.
"""

from __future__ import annotations

from connectors.snapshot_steps import ddf, eurostat_regions, gdl_regions, oecd_regions, owid, sdmx

#: Every step, by the ``reader:`` name snapshot.yaml uses.
STEPS = {step.READER: step for step in (sdmx, ddf, owid, eurostat_regions, oecd_regions, gdl_regions)}
