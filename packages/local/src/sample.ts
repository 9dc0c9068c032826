/**
 * The sample alert `npm start` prints as a curl: KubePodCrashLooping on staging/recommendations, which
 * the demo scenario ships crash-looping after a bad rollout. The local-loop test sends the same body.
 */
export function sampleAlert(now = new Date()) {
  return {
    version: "4",
    status: "firing",
    receiver: "kubernaut",
    alerts: [
      {
        status: "firing",
        labels: {
          alertname: "KubePodCrashLooping",
          severity: "critical",
          namespace: "staging",
          deployment: "recommendations",
        },
        annotations: { summary: "recommendations is crash-looping" },
        startsAt: now.toISOString(),
      },
    ],
  };
}
