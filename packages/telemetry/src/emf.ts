import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { metrics } from "./registry";

/**
 * On Lambda, every counter and gauge change is also written as a CloudWatch EMF line through
 * Powertools Metrics, under the same names /metrics serves locally, with the labels as dimensions.
 * `singleMetric` flushes at once, so nothing depends on a handler wrapper publishing at the end.
 */
export function forwardMetricsToCloudWatch(namespace = "Kubernaut", serviceName = "kubernaut"): void {
  const emf = new Metrics({ namespace, serviceName });
  metrics.setSink((name, kind, labels, value) => {
    const single = emf.singleMetric();
    for (const [key, label] of Object.entries(labels)) single.addDimension(key, label);
    single.addMetric(name, kind === "counter" ? MetricUnit.Count : MetricUnit.NoUnit, value);
  });
}
