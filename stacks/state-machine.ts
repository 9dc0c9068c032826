/**
 * A Standard state machine for one of the ASL definitions written once in packages/ (deployed with the
 * raw `aws.sfn.StateMachine`, since SST's StepFunctions component emits JSONata), with a role that may
 * invoke exactly its own task functions. Resources are named `<id>Role`, `<id>Invoke` and `<id>`.
 */
export async function stateMachine<F extends string>(
  id: string,
  args: {
    name: $util.Input<string>;
    functions: Record<F, sst.aws.Function>;
    definition: (functionArn: (fn: F) => string) => object;
  },
) {
  const aws = await import("@pulumi/aws");
  const role = new aws.iam.Role(`${id}Role`, {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    }),
  });
  const entries = Object.entries(args.functions) as Array<[F, sst.aws.Function]>;
  const arns = $output(Object.fromEntries(entries.map(([fn, f]) => [fn, f.arn])));
  new aws.iam.RolePolicy(`${id}Invoke`, {
    role: role.id,
    policy: arns.apply((resolved) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: Object.values(resolved) }],
      }),
    ),
  });
  return new aws.sfn.StateMachine(id, {
    name: args.name,
    type: "STANDARD",
    roleArn: role.arn,
    definition: arns.apply((resolved) =>
      JSON.stringify(args.definition((fn) => (resolved as Record<F, string>)[fn])),
    ),
  });
}
