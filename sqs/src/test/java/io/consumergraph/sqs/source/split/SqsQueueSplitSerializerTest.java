package io.consumergraph.sqs.source.split;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.sqs.source.enumerator.SqsEnumeratorState;
import io.consumergraph.sqs.source.enumerator.SqsEnumeratorStateSerializer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SqsQueueSplitSerializerTest {

  @Test
  void splitWithPendingHandlesSurvivesARoundTrip() throws Exception {
    var serializer = new SqsQueueSplitSerializer();
    var split = new SqsQueueSplit("http://sqs/q", 10, 3, List.of("h1", "h2".repeat(500)));
    var copy = serializer.deserialize(serializer.getVersion(), serializer.serialize(split));
    assertThat(copy).isEqualTo(split);
    assertThat(copy.splitId()).isEqualTo("http://sqs/q#3");
  }

  @Test
  void enumeratorStateSurvivesARoundTrip() throws Exception {
    var serializer = new SqsEnumeratorStateSerializer();
    var state = new SqsEnumeratorState(Set.of("a#0", "b#1"));
    assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(state)))
        .isEqualTo(state);
  }
}
