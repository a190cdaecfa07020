// details.addresses on the lab's libvirtd: a tiny guest on the 'default' virtual network asks for
// an address by DHCP at boot (udhcpc); the NIC's address is the one dnsmasq leased to its MAC
// (virDomainInterfaceAddresses, lease source), as `virsh net-dhcp-leases` says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NicAddresses } from '../../shared/details/model.js';
import { DomainConfig } from '../../shared/xml/domain.js';
import { type Harness, startHarness, until } from '../test/backend-harness.js';
import { LAB_URI, labReady, removeGuest, tinyGuestXml, uniqueName, virsh, virshDefine } from '../test/lab.js';

describe.skipIf(!labReady())('NIC addresses from the virtual network’s DHCP leases (qemu:///system)', () => {
  let h: Harness;
  const name = uniqueName('nic-addr');
  let mac: string;
  let uuid: string;

  beforeAll(async () => {
    uuid = virshDefine(tinyGuestXml(name, { env: { NET: 'network:default' } }));
    mac = DomainConfig.parse(virsh('dumpxml', name)).devices('interface')[0]!.get('mac')!;
    virsh('start', name);
    h = await startHarness({ launchUri: LAB_URI });
  });
  afterAll(async () => {
    await h?.dispose();
    removeGuest(name);
  });

  it('gives the running guest’s NIC the address its DHCP lease holds', async () => {
    const found = await until(
      async () => {
        const nics: NicAddresses[] = await h.call('details.addresses', { connectionId: 'launch', uuid });
        return nics[0]?.addresses.length ? nics : undefined;
      },
      90_000,
      'a DHCP lease for the guest',
    );
    expect(found).toEqual([{ mac, addresses: [{ address: expect.stringMatching(/^192\.168\.122\.\d+$/), prefix: 24, source: 'lease' }] }]);
    const leases = virsh('net-dhcp-leases', 'default', '--mac', mac);
    expect(leases).toContain(`${found[0]!.addresses[0]!.address}/24`);
  });
});
