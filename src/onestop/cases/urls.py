app_name = "cases"

# Notices (受理通知书 / 补正告知书 / 不予受理通知书) as PDFs, shared by portal and workbench.
urlpatterns: list = []
