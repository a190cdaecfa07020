// "Customize configuration before install": the checks both the wizard's XML editor and the backend
// run on the edited definition of the pending VM, before anything is created.
import { XmlSyntaxError } from '../xml/document.js';
import { DomainConfig, DomainConfigError } from '../xml/domain.js';

export type CustomXmlCheck = { ok: true; config: DomainConfig } | { ok: false; problems: string[] };

/** Parses the edited XML: a well-formed <domain> that keeps the VM's name and passes DomainConfig's checks. */
export function checkCustomXml(xml: string, vmName: string): CustomXmlCheck {
  let config: DomainConfig;
  try {
    config = DomainConfig.parse(xml);
  } catch (e) {
    if (e instanceof XmlSyntaxError) return { ok: false, problems: [`line ${e.line}, column ${e.column}: ${e.reason}`] };
    if (e instanceof DomainConfigError) return { ok: false, problems: [e.message] };
    throw e;
  }
  const problems: string[] = [];
  const name = config.get('name')?.trim();
  if (name !== vmName) problems.push(`the name must stay "${vmName}" (change it on the Name page), not "${name ?? ''}"`);
  problems.push(...config.validate().map((issue) => `${issue.subject}: ${issue.message}`));
  return problems.length === 0 ? { ok: true, config } : { ok: false, problems };
}
