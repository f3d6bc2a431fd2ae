/** Entry point of `tapedeck-relay`; the server is assembled in later changes. */
console.log('tapedeck-relay: not yet implemented');
