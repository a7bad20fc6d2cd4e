/**
 * Gateway registration, shared by the CLI (which registers and writes the file) and the gateway
 * (which runs from it): the registration.yaml format and the gateway-side key and CSR.
 */
export { createKeyAndCsr, type KeyAndCsr } from './gateway-key.js';
export {
  readRegistration,
  type Registration,
  REGISTRATION_FILE,
  RegistrationFileError,
  registrationFileSchema,
  registrationPath,
  registrationSchema,
  writeRegistration,
} from './registration-file.js';
