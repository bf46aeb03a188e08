{ where: 'beside' }
