package io.consumergraph.tools.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PacerTest {

  /** A clock that only moves when the pacer sleeps, or when the test says so. */
  static final class FakeTicker implements Pacer.Ticker {
    long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      now += nanos;
    }
  }

  @Test
  void nMessagesTakeNOverRateSecondsWhateverTheBatching() throws Exception {
    FakeTicker ticker = new FakeTicker();
    Pacer pacer = new Pacer(50, ticker);
    long start = ticker.now;
    for (int i = 0; i < 20; i++) {
      pacer.acquire(10);
    }
    assertThat(ticker.now - start).isEqualTo(4_000_000_000L);
  }

  @Test
  void slowRatesDoNotDrift() throws Exception {
    FakeTicker ticker = new FakeTicker();
    Pacer pacer = new Pacer(3, ticker);
    long start = ticker.now;
    for (int i = 0; i < 300; i++) {
      pacer.acquire(1);
    }
    assertThat(ticker.now - start).isBetween(99_999_999_000L, 100_000_001_000L);
  }

  @Test
  void aSenderThatFellBehindCatchesUpByAtMostOneSecond() throws Exception {
    FakeTicker ticker = new FakeTicker();
    Pacer pacer = new Pacer(10, ticker);
    pacer.acquire(10);
    ticker.now += 10_000_000_000L; // the queue was slow for 10 s
    long before = ticker.now;
    pacer.acquire(10); // one second of credit: no wait
    assertThat(ticker.now).isEqualTo(before);
    pacer.acquire(10); // then back to the schedule
    assertThat(ticker.now - before).isEqualTo(1_000_000_000L);
  }

  @Test
  void batchesHoldAtMostOneSecondOfMessages() {
    assertThat(Pacer.batchSize(0.5)).isEqualTo(1);
    assertThat(Pacer.batchSize(3)).isEqualTo(3);
    assertThat(Pacer.batchSize(10)).isEqualTo(10);
    assertThat(Pacer.batchSize(500)).isEqualTo(10);
  }
}
