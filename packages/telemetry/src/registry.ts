type Labels = Readonly<Record<string, string>>;

interface Family {
  kind: "counter" | "gauge";
  help: string;
  values: Map<string, { labels: Labels; value: number }>;
}

/** Called on every change, so Lambda can forward the same numbers as CloudWatch EMF (see functions/). */
export type MetricsSink = (name: string, kind: "counter" | "gauge", labels: Labels, value: number) => void;

const key = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/**
 * A small in-process registry: what the local loop serves at GET /metrics in the Prometheus text
 * format. Gauges whose truth lives elsewhere (breaker state in DynamoDB, running executions) are
 * collected at scrape time, so every scrape reads the shared state and not this process's memory.
 */
export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private readonly collectors: Array<() => Promise<void> | void> = [];
  private sink: MetricsSink | undefined;

  setSink(sink: MetricsSink | undefined): void {
    this.sink = sink;
  }

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const entry = this.entry(name, "counter", help, labels);
    entry.value += by;
    this.sink?.(name, "counter", labels, by);
  }

  set(name: string, help: string, labels: Labels, value: number): void {
    const entry = this.entry(name, "gauge", help, labels);
    entry.value = value;
    this.sink?.(name, "gauge", labels, value);
  }

  /** Registers a function that refreshes gauges right before each scrape; returns its unregistration. */
  collect(collector: () => Promise<void> | void): () => void {
    this.collectors.push(collector);
    return () => {
      const index = this.collectors.indexOf(collector);
      if (index >= 0) this.collectors.splice(index, 1);
    };
  }

  value(name: string, labels: Labels = {}): number | undefined {
    return this.families.get(name)?.values.get(key(labels))?.value;
  }

  async render(): Promise<string> {
    await Promise.all(this.collectors.map((collector) => collector()));
    const lines: string[] = [];
    for (const [name, family] of [...this.families.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.kind}`);
      for (const { labels, value } of family.values.values()) {
        // Sorted, so the same series always renders the same way.
        const rendered = Object.entries(labels)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
          .join(",");
        lines.push(`${name}${rendered ? `{${rendered}}` : ""} ${value}`);
      }
    }
    return `${lines.join("\n")}\n`;
  }

  private entry(name: string, kind: Family["kind"], help: string, labels: Labels) {
    let family = this.families.get(name);
    if (!family) {
      family = { kind, help, values: new Map() };
      this.families.set(name, family);
    }
    const k = key(labels);
    let entry = family.values.get(k);
    if (!entry) {
      entry = { labels, value: 0 };
      family.values.set(k, entry);
    }
    return entry;
  }
}

/** The one registry of this process (like Powertools' shared metrics instance). */
export const metrics = new MetricsRegistry();
