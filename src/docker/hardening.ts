import type { ContainerSecurity } from './container-client.js';

/**
 * What a model container may do when SME_CONTAINER_HARDENING=on (the
 * default): no privilege gain through setuid binaries, and only the
 * capabilities common model servers use. nginx + gunicorn images (the
 * SageMaker scikit-learn, XGBoost and PyTorch containers) switch their workers
 * to another user (SETUID, SETGID), chown their caches and sockets (CHOWN,
 * FOWNER, DAC_OVERRIDE), signal their workers (KILL) and may bind port 80
 * (NET_BIND_SERVICE). Everything else Docker grants by default (MKNOD,
 * NET_RAW, SYS_CHROOT, AUDIT_WRITE, SETFCAP, SETPCAP, FSETID) is dropped.
 */
export const MODEL_HARDENING: ContainerSecurity = {
  noNewPrivileges: true,
  capDrop: ['ALL'],
  capAdd: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID', 'KILL', 'NET_BIND_SERVICE'],
};
