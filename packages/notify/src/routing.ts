import type { ReceiverConfig, RouteConfig } from "@kubernaut/config";
import type { NotificationPriority, NotificationType } from "./types";

export interface RoutingAttributes {
  type: NotificationType;
  priority: NotificationPriority;
  environment?: string | undefined;
  namespace?: string | undefined;
  team?: string | undefined;
}

export interface RoutedDelivery {
  receiver: string;
  channel?: string;
}

function matches(route: RouteConfig, attributes: RoutingAttributes): boolean {
  const { match } = route;
  const test = (allowed: string[] | undefined, value: string | undefined) =>
    allowed === undefined ||
    (value !== undefined && allowed.some((a) => a.toLowerCase() === value.toLowerCase()));
  return (
    test(match.type, attributes.type) &&
    test(match.priority, attributes.priority) &&
    test(match.environment, attributes.environment) &&
    test(match.namespace, attributes.namespace) &&
    test(match.team, attributes.team)
  );
}

/**
 * Walks the routing tree as Alertmanager does: children are tried in order; the first that matches
 * takes the notification (recursively) unless it says `continue`, which fans out to later siblings too;
 * a node none of whose children matched delivers to its own receiver. A child without a receiver
 * inherits its parent's, and a route's `channel` overrides the receiver's Slack channel.
 */
export function routeNotification(
  root: RouteConfig,
  attributes: RoutingAttributes,
  receivers: readonly ReceiverConfig[],
): RoutedDelivery[] {
  const found: RoutedDelivery[] = [];
  const walk = (route: RouteConfig, inherited: { receiver: string; channel?: string | undefined }) => {
    const here = {
      receiver: route.receiver ?? inherited.receiver,
      channel: route.channel ?? inherited.channel,
    };
    let childMatched = false;
    for (const child of route.routes) {
      if (!matches(child, attributes)) continue;
      childMatched = true;
      walk(child, here);
      if (!child.continue) break;
    }
    if (!childMatched) found.push(withChannel(here, receivers));
  };
  walk(root, { receiver: root.receiver ?? "log" });
  // The same receiver and channel twice (two matching branches) is one delivery, not two messages.
  return found.filter(
    (d, i) => found.findIndex((o) => o.receiver === d.receiver && o.channel === d.channel) === i,
  );
}

function withChannel(
  here: { receiver: string; channel?: string | undefined },
  receivers: readonly ReceiverConfig[],
): RoutedDelivery {
  const receiver = receivers.find((r) => r.name === here.receiver);
  const channel = here.channel ?? (receiver?.type === "slack" ? receiver.channel : undefined);
  return channel ? { receiver: here.receiver, channel } : { receiver: here.receiver };
}
