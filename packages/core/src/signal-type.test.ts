import { describe, expect, it } from "vitest";
import { answersSignal, signalTypeOf } from "./signal-type";

describe("signalTypeOf", () => {
  it.each([
    ["KubePodCrashLooping", "CrashLoopBackOff"],
    ["PodCrashLooping", "CrashLoopBackOff"],
    ["CrashLoopBackOff", "CrashLoopBackOff"],
    ["crashloopbackoff", "CrashLoopBackOff"],
    ["CheckoutCrashLooping", "CrashLoopBackOff"],
    ["OOMKilled", "OOMKilled"],
    ["KubeContainerOOMKilled", "OOMKilled"],
    ["AppOOMKill", "OOMKilled"],
    ["ErrImagePull", "ImagePullBackOff"],
    ["KubeNodeUnreachable", "NodeNotReady"],
    ["KubeStatefulSetUpdateNotRolledOut", "RolloutStuck"],
    ["KubeHpaMaxedOut", "HpaMaxedOut"],
    ["CertificateExpiringSoon", "CertificateExpiringSoon"],
    [" KubePodNotReady ", "PodNotReady"],
  ])("%s is %s", (name, type) => {
    expect(signalTypeOf(name)).toBe(type);
  });
});

describe("answersSignal", () => {
  it.each([
    { declared: ["KubePodCrashLooping"], alert: "OOMKilled", answers: false },
    { declared: ["KubePodCrashLooping"], alert: "CrashLoopBackOff", answers: true },
    { declared: ["KubeContainerOOMKilled"], alert: "OOMKilled", answers: true },
    { declared: ["CertificateExpiringSoon"], alert: "CertificateExpiringSoon", answers: true },
    { declared: ["CertificateExpiringSoon"], alert: "CertificateExpired", answers: false },
  ])("$declared answers $alert: $answers", ({ declared, alert, answers }) => {
    expect(answersSignal(declared, alert)).toBe(answers);
  });
});
