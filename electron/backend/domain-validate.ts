// details.validate, the Details tab's Validate button: the edited XML checked against libvirt's
// domain schema, the check define with VALIDATE makes on Apply, but without applying and with
// each problem's line (libvirt's own error has none).
//
// The binding validates with libxml2 against this machine's libvirt schemas, as libvirt does;
// a remote daemon of another libvirt version may accept a little more or less.
import type { NativeBinding } from '../../native/index.js';
import type { DetailsIssue } from '../../shared/details/model.js';

/** The schema's problems with `xml` as 'xml' issues at their line; empty when it is valid. */
export async function validateDomainXml(binding: NativeBinding, xml: string, schemaDir?: string): Promise<DetailsIssue[]> {
  const problems = await binding.validateDomainXml(xml, schemaDir === undefined ? {} : { schemaDir });
  return problems.map(({ line, column, message }) => ({ subject: 'xml', message, ...(line !== undefined && { line }), ...(column !== undefined && { column }) }));
}
