package io.consumergraph.tools.repair;

import io.consumergraph.tools.audit.EdgeKind;

/**
 * What repair found (and, unless a dry run, rewrote) on one relationship type. An edge may have
 * several defects, so {@code edges} is at most the sum of the defect columns. Misaligned edges and
 * legacy edges without ids are left alone.
 */
public record RepairCounts(
    EdgeKind kind,
    long edges,
    long duplicates,
    long countMismatches,
    long lastMismatches,
    long misalignedLeft,
    long withoutIdsLeft,
    long fixed) {}
