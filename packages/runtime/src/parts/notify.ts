import type { ReceiverConfig } from "@kubernaut/config";
import {
  BreakerStore,
  type Channel,
  createChannels,
  createPlainChannels,
  NotificationStore,
  Notifier,
} from "@kubernaut/notify";
import { machineArn, type Runtime } from "../runtime";
import { stepFunctions } from "./aws";
import { db } from "./store";

export const notifications = (rt: Runtime) =>
  rt.part(
    "notifications",
    () => new NotificationStore(db(rt), rt.config().storage.tableName, rt.config().retention.remediationDays),
  );

export const breakers = (rt: Runtime) =>
  rt.part("breakers", () => new BreakerStore(db(rt), rt.config().storage.tableName));

/**
 * The notification port every step uses: it records the NotificationRequest, delivers it from the
 * calling function with the deliver task's breakers and channels, starts the notify machine only to
 * retry what was not delivered, and never throws (a notification problem must not fail a remediation).
 */
export const notifier = (rt: Runtime) => rt.part("notifier", () => notifierWith(rt, () => channels(rt)));

/**
 * The every-minute schedule's notifier: it delivers to the log and webhooks itself and hands Slack
 * receivers to the notify machine, so the schedule's bundle carries no Slack client (cold start).
 */
export const plainNotifier = (rt: Runtime) =>
  rt.part("plainNotifier", () =>
    notifierWith(rt, () => rt.part("plainChannels", () => createPlainChannels(rt.config, rt.adapters.env))),
  );

function notifierWith(
  rt: Runtime,
  channelsOf: () => Partial<Record<ReceiverConfig["type"], Channel>>,
): Notifier {
  return new Notifier({
    config: rt.config,
    notifications: notifications(rt),
    sfn: stepFunctions(rt),
    stateMachineArn: machineArn(rt, "notify"),
    inline: {
      get breakers() {
        return breakers(rt);
      },
      get channels() {
        return channelsOf();
      },
    },
  });
}

/** The delivery channels; webhook signing secrets come from the (SSM-resolved) environment. */
export const channels = (rt: Runtime) =>
  rt.part("channels", () => createChannels(rt.config, rt.adapters.env));
