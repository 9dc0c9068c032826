import type { Config } from "@kubernaut/config";
import type { Caller } from "@kubernaut/http";
import type { WebClient } from "@slack/web-api";

/**
 * Maps a Slack user to a caller: approver with the scopes of every `slack.approvers` entry that names
 * the user or one of their user groups; otherwise a viewer (who may decide nothing). Group membership
 * is read with usergroups.users.list and cached briefly, so a removal takes effect within a minute.
 */
export class SlackIdentities {
  private readonly groups = new Map<string, { members: Set<string>; at: number }>();

  constructor(
    private readonly slack: WebClient,
    private readonly config: () => Config,
    private readonly cacheMs = 60_000,
  ) {}

  async caller(userId: string): Promise<Caller> {
    const entries = [];
    for (const entry of this.config().slack.approvers) {
      if (entry.users.includes(userId) || (await this.inAnyGroup(userId, entry.userGroups)))
        entries.push(entry);
    }
    return {
      name: `slack:${userId}`,
      role: entries.length > 0 ? "approver" : "viewer",
      scopes: entries.map((e) => ({ environments: e.environments, namespaces: e.namespaces })),
    };
  }

  private async inAnyGroup(userId: string, groups: readonly string[]): Promise<boolean> {
    for (const group of groups) {
      const cached = this.groups.get(group);
      let members = cached && Date.now() - cached.at < this.cacheMs ? cached.members : undefined;
      if (!members) {
        const result = await this.slack.usergroups.users.list({ usergroup: group });
        members = new Set(result.users ?? []);
        this.groups.set(group, { members, at: Date.now() });
      }
      if (members.has(userId)) return true;
    }
    return false;
  }
}
