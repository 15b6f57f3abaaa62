package dev.msfs.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableLongPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableMetricData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableSumData;
import io.opentelemetry.sdk.resources.Resource;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A batch of samples goes out in parts that each stay under the request limit, and none is lost. */
class DiperiodicReaderTest {
    private static MetricData sum(int points) {
        List<LongPointData> data = IntStream.range(0, points)
                .mapToObj(i -> (LongPointData) ImmutableLongPointData.create(0, 1, Attributes.builder().put("i", i).build(), i))
                .toList();
        return ImmutableMetricData.createLongSum(Resource.empty(), InstrumentationScopeInfo.create("t"), "m", "", "1",
                ImmutableSumData.create(true, AggregationTemporality.CUMULATIVE, data));
    }

    @Test
    void aBatchIsSplitByItsDataPoints() {
        int limit = DiperiodicReader.POINTS_PER_REQUEST;
        List<MetricData> small = IntStream.range(0, 100).mapToObj(i -> sum(10)).toList();
        assertEquals(1, DiperiodicReader.parts(small).size());
        List<MetricData> large = List.of(sum(limit / 2 + 1), sum(limit / 2 + 1), sum(limit / 2 + 1), sum(3));
        List<List<MetricData>> parts = DiperiodicReader.parts(large);
        assertEquals(List.of(1, 1, 2), parts.stream().map(List::size).toList());
        assertEquals(large, parts.stream().flatMap(List::stream).toList(), "every sample, in order");
        assertEquals(List.of(1), DiperiodicReader.parts(List.of(sum(limit * 2))).stream().map(List::size).toList(),
                "a metric larger than the limit goes alone, not dropped");
        assertEquals(List.of(), DiperiodicReader.parts(List.of()));
    }
}
