console.log('Parity server: not yet implemented');
