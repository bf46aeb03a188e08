{ greeting: 'hello' }
