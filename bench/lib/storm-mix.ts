import { type AlertSpec, webhookBody } from "./alerts";
import { seededRandom, shuffle } from "./stats";

/** Alert names a storm mixes: several alerts on one workload are one fingerprint, one remediation. */
const ALERT_NAMES = ["KubePodCrashLooping", "KubeDeploymentReplicasMismatch", "KubeContainerOOMKilled"];

export interface Storm {
  /** Webhook bodies in sending order; a redelivery is byte-identical to its original. */
  bodies: string[];
  targets: number;
  redeliveries: number;
}

/**
 * A storm as Alertmanager produces one: `alerts` deliveries over `targets` workloads, of which a share are
 * redeliveries (a retried 5xx, an HA pair, a repeat_interval) that arrive a little after their original.
 * Every target gets at least one original, so the remediations created must equal `targets`. Seeded, so
 * every run sends the same storm.
 */
export function stormMix(options: {
  alerts: number;
  targets: number;
  redeliveryShare: number;
  namespace: string;
  seed: number;
}): Storm {
  const random = seededRandom(options.seed);
  const redeliveries = Math.round(options.alerts * options.redeliveryShare);
  const originals = options.alerts - redeliveries;
  const specs: AlertSpec[] = Array.from({ length: originals }, (_, i) => {
    const target = i % options.targets;
    return {
      alertname: ALERT_NAMES[Math.floor(random() * ALERT_NAMES.length)] as string,
      // Namespaces spread the targets as a real cluster would; the name alone identifies the target.
      namespace: `${options.namespace}-${target % 10}`,
      deployment: `svc-${target.toString().padStart(4, "0")}`,
    };
  });
  const ordered = shuffle(specs, random).map((spec, i) => ({ at: i, body: webhookBody(spec) }));
  // A redelivery follows its original within a few hundred deliveries (Alertmanager retries quickly).
  for (let r = 0; r < redeliveries; r++) {
    const original = ordered[Math.floor(random() * originals)] as { at: number; body: string };
    ordered.push({ at: original.at + 1 + random() * 300, body: original.body });
  }
  ordered.sort((a, b) => a.at - b.at);
  return { bodies: ordered.map((o) => o.body), targets: options.targets, redeliveries };
}
