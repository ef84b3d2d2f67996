variable "a" {
  default = "" # vigil:ignore
}
# vigil:ignore
locals {
  b = ""
}
resource "x" "y" {
  # vigil:ignore
  user_data = <<-EOT
    #!/bin/sh
    export T=
  EOT
  keep = ""
}
