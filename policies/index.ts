import { PolicyPack } from "@pulumi/policy";
import { RULES } from "./rules";
import { stackPolicy } from "./rules/stackPolicy";

new PolicyPack("tierplan", { policies: RULES.map(stackPolicy) });
