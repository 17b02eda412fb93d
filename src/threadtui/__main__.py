from threadtui.cli import main

raise SystemExit(main())
