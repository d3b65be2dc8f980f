package io.consumergraph.flags;

import java.time.Duration;

/**
 * What streaming one id list did: the list's version, distinct ids emitted, repeated ids skipped,
 * lines skipped (blank, header, malformed) and how long it took.
 */
public record IdListStats(
    ContentVersion version, long ids, long duplicates, long skippedLines, Duration elapsed) {}
