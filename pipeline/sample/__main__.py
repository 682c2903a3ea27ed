from pipeline.sample.generate import main

raise SystemExit(main())
