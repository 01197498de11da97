/**
 * The cloud-init user data every instance boots with: one login user with the
 * run's public key and passwordless sudo. The same user on every image, so the
 * rest of the run need not know each AMI's default user.
 */
export const SSH_USER = 'tungsten';

export function cloudConfig(sshPublicKey: string): string {
  const key = sshPublicKey.trim();
  if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( [^\n"]*)?$/.test(key)) {
    throw new Error('the run public key is not a one-line OpenSSH public key');
  }
  return [
    '#cloud-config',
    'ssh_pwauth: false',
    'users:',
    '  - default',
    `  - name: ${SSH_USER}`,
    '    shell: /bin/bash',
    "    sudo: 'ALL=(ALL) NOPASSWD:ALL'",
    '    ssh_authorized_keys:',
    `      - "${key}"`,
    '',
  ].join('\n');
}

/** RunInstances wants user data base64-encoded. */
export function userDataBase64(sshPublicKey: string): string {
  return Buffer.from(cloudConfig(sshPublicKey), 'utf8').toString('base64');
}
