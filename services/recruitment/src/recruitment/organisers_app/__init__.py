"""The organisers' app (`/app`): forms for everything the intake accepts, usable offline."""
