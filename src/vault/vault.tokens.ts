/** Injection token of the one cipher every feature uses for secrets (a `SecretCipher`). */
export const SECRET_CIPHER = Symbol('SECRET_CIPHER');
