// Saved New-VM settings ("templates"): a plan without what each VM has of its own (its name, and
// cloud-init's hostname and instance id), kept in $XDG_CONFIG_HOME/vireo/templates.json.
import { join } from 'node:path';
import { z } from 'zod';
import { readConfigText, writeConfigJson } from '../config-file.js';
import { defaultConfigDir } from '../connection-store.js';
import type { VmPlan } from './plan.js';

export type TemplatePlan = Omit<VmPlan, 'name'>;

export interface VmTemplate {
  name: string;
  /** ISO 8601 */
  savedAt: string;
  plan: TemplatePlan;
}

// The plan is checked in full by validatePlan before any use; here only enough to know it is one.
const storedPlan = z.looseObject({
  memoryMiB: z.number(),
  vcpus: z.number(),
  install: z.looseObject({ kind: z.enum(['iso', 'network', 'import', 'pxe', 'manual', 'kernel', 'cloud-image']) }),
  network: z.looseObject({ kind: z.enum(['network', 'bridge', 'user', 'none']) }),
});
const storedFile = z.object({
  version: z.literal(1),
  templates: z.array(z.object({ name: z.string().min(1), savedAt: z.string(), plan: storedPlan })),
});

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** The reusable part of a plan. */
export function templateFromPlan(plan: VmPlan | TemplatePlan): TemplatePlan {
  const { name: _name, ...rest } = plan as VmPlan;
  if (rest.install.kind !== 'cloud-image') return structuredClone(rest);
  const { hostname: _hostname, instanceId: _instanceId, ...cloudInit } = rest.install.cloudInit;
  return structuredClone({ ...rest, install: { ...rest.install, cloudInit } });
}

export const planFromTemplate = (template: VmTemplate, vmName: string): VmPlan => ({ ...structuredClone(template.plan), name: vmName });

export class TemplateStore {
  readonly file: string;
  /** Changes run one after another, each on the file the previous one wrote. */
  private changing: Promise<unknown> = Promise.resolve();

  constructor(configDir = defaultConfigDir()) {
    this.file = join(configDir, 'templates.json');
  }

  /** Sorted by name; a missing file is no templates. */
  async list(): Promise<VmTemplate[]> {
    const text = await readConfigText(this.file);
    if (text === undefined) return [];
    const parsed = storedFile.safeParse(JSON.parse(text));
    if (!parsed.success) throw new TemplateError(`${this.file} is not a Vireo template list: ${parsed.error.message}`);
    return (parsed.data.templates as VmTemplate[]).toSorted((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<VmTemplate | undefined> {
    return (await this.list()).find((t) => t.name === name);
  }

  /** Saves under `name`, replacing a template of that name. */
  save(name: string, plan: VmPlan | TemplatePlan): Promise<VmTemplate> {
    if (name.trim() === '') return Promise.reject(new TemplateError('a template needs a name'));
    const template: VmTemplate = { name, savedAt: new Date().toISOString(), plan: templateFromPlan(plan) };
    return this.change((templates) => [...templates.filter((t) => t.name !== name), template]).then(() => template);
  }

  /** Whether there was a template of that name. */
  async remove(name: string): Promise<boolean> {
    let found = false;
    await this.change((templates) => {
      found = templates.some((t) => t.name === name);
      return templates.filter((t) => t.name !== name);
    });
    return found;
  }

  private change(edit: (templates: VmTemplate[]) => VmTemplate[]): Promise<void> {
    const next = this.changing.catch(() => undefined).then(async () => this.write(edit(await this.list())));
    this.changing = next;
    return next;
  }

  private write(templates: VmTemplate[]): Promise<void> {
    return writeConfigJson(this.file, { templates });
  }
}
