import type { Classifier } from "@kubernaut/agent";
import type { ClusterAccess } from "@kubernaut/cluster";
import type { Config } from "@kubernaut/config";
import type { ChatModel, LlmPhase } from "@kubernaut/llm";
import type { NotificationPort } from "@kubernaut/notify";
import type { PolicyEngine } from "@kubernaut/policy";
import type {
  ApprovalStore,
  AssessmentStore,
  LeaseStore,
  RemediationStore,
  SuggestionStore,
  TrustStore,
} from "@kubernaut/store";
import type { WorkflowDefinition } from "@kubernaut/workflows";

/** What every task needs; built once per Lambda container or once by the local loop. */
export interface PipelineDeps {
  /** A getter, so a changed config applies to the next remediation without a restart. */
  config: () => Config;
  store: RemediationStore;
  approvals: ApprovalStore;
  catalog: readonly WorkflowDefinition[];
  /** The approval policy; never throws (a broken policy degrades to approval required). */
  policy: PolicyEngine;
  /** The managed clusters; absent, execution refuses with ExecutorUnavailable (nothing is changed). */
  cluster?: {
    access(cluster: string | undefined): ClusterAccess;
    /** Mints credentials that need I/O (EKS tokens) before `access`; optional. */
    prepare?(cluster: string | undefined): Promise<void>;
  };
  /** Per-target leases: one remediation at a time changes a workload. */
  leases: LeaseStore;
  /** Workflow trust levels (Level 2) and the kill switch. */
  trust: TrustStore;
  /** EffectivenessAssessments, scheduled when a remediation enters Verifying. */
  assessments: AssessmentStore;
  /** Plans for a human when no workflow matches. */
  suggestions: SuggestionStore;
  /** The LLM investigator's model when `aianalysis.llm` is configured; absent, the rules investigate. */
  model?: (phase: LlmPhase) => ChatModel | undefined;
  /** Signal classification (Rego, operator-editable). */
  classifier: Classifier;
  /** Never throws: a notification problem must not fail a remediation. */
  notifier: NotificationPort;
  now?: () => Date;
}

export const PIPELINE_ACTOR = { type: "system", id: "pipeline", channel: "pipeline" } as const;
