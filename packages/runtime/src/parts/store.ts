import {
  ApprovalStore,
  AssessmentStore,
  createDynamoClient,
  documentClient,
  IntakeStore,
  LeaseStore,
  RemediationStore,
  SuggestionStore,
  SystemAuditStore,
  TrustStore,
} from "@kubernaut/store";
import type { Runtime } from "../runtime";

/**
 * The one table's client and its repositories. The table name and retention are read once, when a
 * repository is first built (a changed table name needs a restart, like on AWS).
 */
export const dynamoClient = (rt: Runtime) =>
  rt.part("dynamoClient", () => {
    const client = createDynamoClient({
      region: rt.adapters.region ?? rt.config().storage.region,
      ...(rt.adapters.dynamoEndpoint ? { endpoint: rt.adapters.dynamoEndpoint } : {}),
    });
    rt.adapters.awsClientHook?.(client);
    return client;
  });

export const db = (rt: Runtime) => rt.part("db", () => documentClient(dynamoClient(rt)));

const table = (rt: Runtime) => rt.config().storage.tableName;
const retention = (rt: Runtime) => rt.config().retention;

export const remediations = (rt: Runtime) =>
  rt.part(
    "remediations",
    () =>
      new RemediationStore(db(rt), {
        tableName: table(rt),
        remediationRetentionDays: retention(rt).remediationDays,
        auditRetentionDays: retention(rt).auditDays,
      }),
  );

export const approvals = (rt: Runtime) =>
  rt.part("approvals", () => new ApprovalStore(db(rt), table(rt), retention(rt).remediationDays));

export const trust = (rt: Runtime) => rt.part("trust", () => new TrustStore(db(rt), table(rt)));

export const leases = (rt: Runtime) => rt.part("leases", () => new LeaseStore(db(rt), table(rt)));

export const assessments = (rt: Runtime) =>
  rt.part("assessments", () => new AssessmentStore(db(rt), table(rt)));

export const suggestions = (rt: Runtime) =>
  rt.part("suggestions", () => new SuggestionStore(db(rt), table(rt)));

export const intakes = (rt: Runtime) =>
  rt.part("intakes", () => new IntakeStore(db(rt), table(rt), retention(rt).remediationDays));

export const systemAudit = (rt: Runtime) =>
  rt.part("systemAudit", () => new SystemAuditStore(db(rt), table(rt), retention(rt).auditDays));
