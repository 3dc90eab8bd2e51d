if anyof (true,
          false,
          frob) { keep; }
